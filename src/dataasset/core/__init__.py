"""Core services shared by every domain: database, identity, permissions, evidence, codes."""

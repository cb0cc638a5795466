"""HTTP adapter: the FastAPI app factory and one thin router per domain."""

"""Quality evaluation (质量评价, GB/T 36344-2018): rules as YAML, checks pushed down to DuckDB SQL,
scores per dimension, and the issue loop in which owners fix what they produce (谁生产、谁治理)."""

"""Pure, framework-free helpers. Nothing in here may import Django."""

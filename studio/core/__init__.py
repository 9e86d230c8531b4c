"""Qt-free domain: models of the project files, YAML I/O, expressions, validation."""

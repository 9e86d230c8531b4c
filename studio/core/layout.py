"""The names of a project folder's files and folders (DESIGN.md section 3), in a module
with no imports, so a command can find them before loading anything."""
SETTINGS_FILE = "studio.yaml"
PROCEDURES_DIR = "procedures"
CONNECTORS_DIR = "connectors"
KNOWLEDGE_DIR = "knowledge"
SIMULATIONS_DIR = "simulations"
ATTACHMENTS_DIR = "attachments"
LIBRARY_FILE = "library.sqlite"

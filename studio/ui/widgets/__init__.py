"""Reusable editing widgets: expression/template fields, the code editor."""

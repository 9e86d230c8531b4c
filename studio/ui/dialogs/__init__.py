"""Dialogs opened from the menus (project settings); imported only when first opened."""

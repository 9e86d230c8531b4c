"""The procedure editor: step cards, their model, the inspector's target, the flowchart."""

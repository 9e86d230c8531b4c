"""The simulation editor: customer turns, fixtures, expectations and attachments as forms."""

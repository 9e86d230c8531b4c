"""Production conversations turned into simulations (issue 15); Qt-free, no litellm."""

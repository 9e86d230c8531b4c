"""The Coverage screen: which steps the simulations reach, and suggestions for those they miss."""

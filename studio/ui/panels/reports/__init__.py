"""The Reports screen: pass rates and costs over runs, charted."""

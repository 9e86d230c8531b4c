"""The Runner screen: one simulation run live, its transcript, reasoning and expectations."""

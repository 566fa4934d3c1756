"""Abstract models, admin and API bases that generated tenant apps extend."""

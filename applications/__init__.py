"""What every generated app builds on: base models, base admin, the tenant site and URLs."""

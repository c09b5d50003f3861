"""ResourceManager (API 2020-03-31): resource groups and policy attachments scoped to them."""

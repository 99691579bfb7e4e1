"""Microsoft.Resources: subscriptions, locations, provider registration, resource groups."""

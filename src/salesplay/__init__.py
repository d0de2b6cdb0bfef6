"""salesplay: destination-based sales enablement from one YAML catalog."""

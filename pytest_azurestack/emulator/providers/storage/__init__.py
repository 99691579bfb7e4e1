"""Microsoft.Storage: storage accounts (enough to hold unmanaged VHD disks; no blob data plane)."""

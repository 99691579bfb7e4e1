"""Microsoft.Compute resource provider of the embedded emulator."""

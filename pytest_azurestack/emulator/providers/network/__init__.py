"""Microsoft.Network resource provider of the embedded emulator."""

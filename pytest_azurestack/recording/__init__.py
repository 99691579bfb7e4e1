"""Recording and playback of ARM traffic with vcrpy: cassette paths, scrubbing, matching, secret scan."""

"""Speech recognition libraries: faster-whisper transcription and window packing."""

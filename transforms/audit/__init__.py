"""The re-listen audit's logic and its policy: when a scrubbed clip is heard again, and how."""

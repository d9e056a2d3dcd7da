"""Language libraries: the packs that say what a run can hear, and the understanding gate."""

"""What a start must do and what it may skip: the runs of graphcdp recorded on the graph (so the crash repairs run
only after a run that did not finish its writes) and the migrations a graph has had (each runs once)."""

"""Framework-free machine labelling: features, linear models, the SDG query engine,
SDG scoring, duplicate detection and the model bundle. Nothing here imports Django,
so the evaluations in bench/ and the `qadam classify` command share one code path."""

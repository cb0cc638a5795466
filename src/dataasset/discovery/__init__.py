"""Discovery (盘点/清查): connectors, profiler, sensitive-data detectors, classification and grading,
and the scans that fill the catalog."""

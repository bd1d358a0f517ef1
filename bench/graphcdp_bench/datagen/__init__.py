"""A seeded generator of realistic, messy customer data with ground truth (`graphcdp generate`).

- `vocab`: names, nicknames, surnames with a realistic skew, streets, cities, email domains, junk values.
- `people`: true people and the households they live in.
- `mess`: the corruptions real data has, each a function of a seeded `random.Random`.
- `generator`: the records and touchpoints of each household, and the tally of the mess injected.
- `output`: streams a data set to files (records, touchpoints, truth, manifest) in bounded memory.
- `quality`: the ground-truth file and the evaluation of a predicted partition against it.
"""

from graphcdp_bench.datagen.generator import GeneratorConfig, MessRates
from graphcdp_bench.datagen.output import write_dataset
from graphcdp_bench.datagen.quality import QualityReport, Truth, evaluate, read_truth

__all__ = ["GeneratorConfig", "MessRates", "QualityReport", "Truth", "evaluate", "read_truth", "write_dataset"]

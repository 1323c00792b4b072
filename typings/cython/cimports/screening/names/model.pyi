from screening.names.model import AnalyzedName as AnalyzedName
from screening.names.model import TokenMatch as TokenMatch
from screening.names.model import _Spelling as _Spelling

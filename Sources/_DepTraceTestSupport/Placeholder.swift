import DepTrace

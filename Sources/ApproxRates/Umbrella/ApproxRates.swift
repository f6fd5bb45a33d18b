// ApproxRates: the one module users import. It re-exports the floors of the library, from the
// bottom: precision and file I/O, networks, targets, measurement, constructions, rates and
// dynamics, export (tables) and plots. docs/architecture.md is the map.
@_exported import PrecisionModule
@_exported import FileIOModule
@_exported import NetworksModule
@_exported import TargetsModule
@_exported import MeasurementModule
@_exported import ConstructionsModule
@_exported import RatesModule
@_exported import DynamicsModule
@_exported import ExportModule
@_exported import PlotsModule

import Foundation
import FileIOModule

/// A long training run that saves its state as it goes and resumes from it
/// (`approx-cli dynamics long`): the state is written whole (``AtomicFile``) every `saveEvery`
/// steps, so an interruption loses at most the steps since the last save, and a rerun with the
/// same configuration continues from the saved step and gives the same result (the steps are
/// deterministic). A state saved under another configuration is ignored.
public struct SavedTrainingRun: Sendable {
    /// What the file holds: the configuration it belongs to and the state.
    struct Saved: Codable { let configuration: String; let state: TrainingState }

    /// The state file.
    public let path: String
    /// Everything that changes the run, in words; a saved state with another text is not used.
    public let configuration: String
    /// Steps between saves (at least 1).
    public let saveEvery: Int

    /// A run saved at `path` every `saveEvery` steps under `configuration`.
    public init(path: String, configuration: String, saveEvery: Int) {
        self.path = path; self.configuration = configuration; self.saveEvery = Swift.max(1, saveEvery)
    }

    /// The saved state when the file holds one of this configuration, else nil.
    public func saved() -> TrainingState? {
        guard let data = try? AtomicFile.read(path, registering: false), (try? ResourceLimits.checkJSONNesting(data, source: path)) != nil,
              let saved = try? JSONDecoder().decode(Saved.self, from: data), saved.configuration == configuration else { return nil }
        return saved.state
    }

    /// Runs `probe` from the saved state (or from `fresh` when there is none) to `steps` steps or
    /// divergence, saving after every `saveEvery` steps; `onSave` sees the state after each save.
    /// Returns the final state.
    public func run(_ probe: EarlyTrainingProbe, from fresh: TrainingState, steps: Int,
                    onSave: (TrainingState) -> Void = { _ in }) throws -> TrainingState {
        var state = saved() ?? fresh
        while state.step < steps && !state.diverged {
            probe.advance(&state, until: Swift.min(steps, (state.step / saveEvery + 1) * saveEvery))
            try AtomicFile.write(try JSONEncoder().encode(Saved(configuration: configuration, state: state)), to: path)
            onSave(state)
        }
        return state
    }
}

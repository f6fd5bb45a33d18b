import Foundation
import PrecisionModule
import FileIOModule

/// Which training set a run uses.
public enum GrokkingSplit: Sendable, Codable, Hashable {
    /// The run's own seed draws the split (the critical-fraction sweep: the split is the random variable).
    case perSeed
    /// Seed s draws the split, for every run.
    case fixed(UInt64)
    /// The first of seeds 1, 2, … whose split lets a perfect representation answer every validation
    /// example (``ParallelogramSystem/idealTestAccuracy`` = 1), for every run: a data set on which
    /// generalisation is possible, shared by all cells and seeds (the phase diagram; the seeds then
    /// vary the templates, the initialisation and the minibatches).
    case firstIdeal

    /// The seed of the split for a run with `seed` at `trainCount` of p(p + 1)/2 examples.
    public func splitSeed(p: Int, trainCount: Int, seed: UInt64) -> UInt64 {
        switch self {
        case .perSeed: return seed
        case .fixed(let s): return s
        case .firstIdeal: return ParallelogramSystem.firstIdealSplitSeed(p: p, trainCount: trainCount) ?? 1
        }
    }
}

/// Everything about a grokking run except the swept values (decoder learning rate, decoder weight
/// decay, training fraction, seed). Defaults are the authors' (`toy/train_add.py`), with the step
/// budget of their phase-diagram scripts.
public struct GrokkingSettings: Sendable, Codable, Hashable {
    /// Numbers 0 … p − 1.
    public var p = 10
    /// Embedding dimension.
    public var embeddingDimension = 1
    /// Decoder hidden width.
    public var width = 200
    /// Decoder outputs for MSE (CE uses 2p − 1).
    public var outputs = 30
    /// The loss.
    public var loss = GrokkingLoss.mse
    /// Optimiser steps.
    public var steps = 10_000
    /// Examples per step (0: the whole training set, the authors' default).
    public var batch = 0
    /// Embedding learning rate η_E and weight decay.
    public var embeddingLearningRate = 1e-3, embeddingWeightDecay = 0.0
    /// Initialisation scales of the embeddings and the decoder, and the template scale.
    public var embeddingScale = 1.0, decoderScale = 1.0, labelScale = 1.0
    /// Accuracy threshold for "reached" (training and validation).
    public var threshold = 0.9
    /// The lag (steps) separating comprehension from grokking.
    public var lag = 1000
    /// RQI tolerance δ and the RQI threshold of "structured".
    public var rqiTolerance = 0.01, rqiThreshold = 0.95
    /// Steps between logged points of the curves (the last step is always logged).
    public var logEvery = 100
    /// Stop as soon as both accuracies have reached the threshold (the phase is then decided).
    public var stopWhenDecided = false
    /// The training set.
    public var split = GrokkingSplit.perSeed

    /// The defaults.
    public init() {}
}

/// One run: settings plus the swept values.
public struct GrokkingRunSpec: Sendable, Codable, Hashable {
    /// The fixed settings.
    public var settings: GrokkingSettings
    /// Decoder learning rate η_D and decoder weight decay.
    public var learningRate: Double, weightDecay: Double
    /// Training fraction (the training set has ``AdditionTask/trainCount(p:fraction:)`` examples).
    public var fraction: Double
    /// The seed of the templates, the initialisation and the minibatches (and of the split with
    /// ``GrokkingSplit/perSeed``).
    public var seed: UInt64

    /// A run.
    public init(settings: GrokkingSettings, learningRate: Double, weightDecay: Double, fraction: Double, seed: UInt64) {
        self.settings = settings; self.learningRate = learningRate; self.weightDecay = weightDecay; self.fraction = fraction; self.seed = seed
    }

    /// The task of this run.
    public var task: AdditionTask {
        let n = AdditionTask.trainCount(p: settings.p, fraction: fraction)
        return AdditionTask(p: settings.p, trainCount: n, seed: settings.split.splitSeed(p: settings.p, trainCount: n, seed: seed))
    }

    /// A cost estimate in floating-point operations (products only): steps × rows × 2w(w + K + 2e) × 3.
    public var cost: Double {
        let s = settings, n = Double(s.p * (s.p + 1) / 2), w = Double(s.width)
        return Double(s.steps) * n * 2 * w * (w + Double(s.outputs) + 2 * Double(s.embeddingDimension)) * 3
    }
}

/// What one run measured.
public struct GrokkingRun: Sendable, Codable {
    /// First step (0-based) at which training accuracy reached the threshold, nil if never.
    public let trainStep: Int?
    /// First step at which validation accuracy reached it, nil if never.
    public let validationStep: Int?
    /// First step at which RQI exceeded the RQI threshold, nil if never.
    public let rqiStep: Int?
    /// The phase.
    public let phase: GrokkingPhase
    /// Steps taken (less than the budget when stopped once decided).
    public let stepsTaken: Int
    /// Training examples, and the seed that drew them.
    public let trainCount: Int, splitSeed: UInt64
    /// Steps at which the curves below are logged.
    public let loggedSteps: [Int]
    /// Training accuracy after each logged step's update; validation accuracy before it (the
    /// authors' order); RQI after it; training loss (whole training set) and validation loss before it.
    public let trainAccuracy: [Double], validationAccuracy: [Double], rqi: [Double], trainLoss: [Double], validationLoss: [Double]
    /// Training and validation accuracy and RQI at the final parameters.
    public let finalTrainAccuracy: Double, finalValidationAccuracy: Double, finalRQI: Double
    /// The test accuracy the final representation predicts (Acc^), and the ideal one (Acc̄).
    public let predictedAccuracy: Double, idealAccuracy: Double
    /// Nullity of the training set's parallelogram system (2: it fixes the representation).
    public let nullity: Int
    /// The effective theory's λ₃ and its predicted steps to structure 1/(η_E · 2λ₃/(p − 1)) (nil
    /// when λ₃ = 0: the training set leaves more than translation and scale free).
    public let lambda3: Double, predictedStepsToStructure: Double?
    /// Steps for the effective flow from the network's initial embeddings to exceed the RQI
    /// threshold (nil if not within 100 × the budget).
    public let effectiveStepsToStructure: Double?
    /// Embeddings (p × e row-major) at the snapshot steps asked for, after their update.
    public let snapshots: [Snapshot]
    /// Embeddings at one step.
    public struct Snapshot: Sendable, Codable {
        /// The step.
        public let step: Int
        /// E, p × e row-major.
        public let embeddings: [Double]
    }
}

/// Trains the toy model of one ``GrokkingRunSpec``.
public enum GrokkingTraining {
    /// Runs `spec` to its budget (or until decided, if the settings say so), taking snapshots of the
    /// embeddings after the steps in `snapshotSteps`. `progress` sees (step, budget) every 1000 steps.
    public static func run(_ spec: GrokkingRunSpec, snapshotSteps: Set<Int> = [], progress: ((Int, Int) -> Void)? = nil) -> GrokkingRun {
        let s = spec.settings
        let task = spec.task
        let model = GrokkingModel(task: task, embeddingDimension: s.embeddingDimension, width: s.width, outputs: s.outputs, loss: s.loss,
                                  seed: spec.seed, embeddingScale: s.embeddingScale, decoderScale: s.decoderScale, labelScale: s.labelScale)
        let quality = RepresentationQuality(p: s.p, dimension: s.embeddingDimension, tolerance: s.rqiTolerance)
        let pe = s.p * s.embeddingDimension
        let initialEmbeddings = Array(UnsafeBufferPointer(start: model.embeddings, count: pe))
        let embeddingOptimiser = AdamW(count: pe, learningRate: s.embeddingLearningRate, weightDecay: s.embeddingWeightDecay)
        let decoderOptimiser = AdamW(count: model.parameterCount, learningRate: spec.learningRate, weightDecay: spec.weightDecay)
        let nTrain = model.trainCount, nAll = model.rowCount
        let batchSize = s.batch <= 0 || s.batch >= nTrain ? nil : s.batch
        var batch = [Int](repeating: 0, count: batchSize ?? 0)
        var pool = Array(0..<nTrain)
        var rng = SplitMix64(seed: spec.seed ^ 0x4241_5443_4800_0000)
        var trainStep: Int? = nil, validationStep: Int? = nil, rqiStep: Int? = nil
        var logged: [Int] = [], trainAcc: [Double] = [], validAcc: [Double] = [], rqis: [Double] = [], trainLoss: [Double] = [], validLoss: [Double] = []
        var snapshots: [GrokkingRun.Snapshot] = []
        var lastRQI = 0.0, lastValid = 0.0, lastTrain = 0.0
        var taken = 0
        func trainAccuracyNow() -> Double { Double(model.correct(rows: 0..<nTrain)) / Double(nTrain) }
        for step in 0..<s.steps {
            model.forward()
            // The training accuracy after the previous update, the validation accuracy before this one.
            if step > 0 {
                lastTrain = trainAccuracyNow()
                if trainStep == nil, lastTrain >= s.threshold { trainStep = step - 1 }
                if logged.last == step - 1 { trainAcc.append(lastTrain) }
                if s.stopWhenDecided, trainStep != nil, validationStep != nil { break }
            }
            lastValid = Double(model.correct(rows: nTrain..<nAll)) / Double(nAll - nTrain)
            if validationStep == nil, lastValid >= s.threshold { validationStep = step }
            let log = step % s.logEvery == 0 || step == s.steps - 1
            if log {
                logged.append(step); validAcc.append(lastValid)
                trainLoss.append(model.meanLoss(rows: 0..<nTrain)); validLoss.append(model.meanLoss(rows: nTrain..<nAll))
            }
            if let size = batchSize {
                for i in 0..<size {
                    let j = i + Int(rng.next() % UInt64(nTrain - i))
                    pool.swapAt(i, j)
                    batch[i] = pool[i]
                }
                batch.withUnsafeBufferPointer { _ = model.backward(batch: $0) }
            } else {
                model.backward(batch: nil)
            }
            embeddingOptimiser.step(model.embeddings, gradient: model.embeddingGradient)
            decoderOptimiser.step(model.parameters, gradient: model.parameterGradient)
            taken = step + 1
            lastRQI = quality.index(model.embeddings)
            if rqiStep == nil, lastRQI > s.rqiThreshold { rqiStep = step }
            if log { rqis.append(lastRQI) }
            if snapshotSteps.contains(step) {
                snapshots.append(.init(step: step, embeddings: Array(UnsafeBufferPointer(start: model.embeddings, count: pe))))
            }
            if let progress, step % 1000 == 999 { progress(step + 1, s.steps) }
        }
        // Accuracies at the final parameters (the training one is the record of the last update).
        model.forward()
        lastTrain = trainAccuracyNow()
        lastValid = Double(model.correct(rows: nTrain..<nAll)) / Double(nAll - nTrain)
        if trainStep == nil, taken > 0, lastTrain >= s.threshold { trainStep = taken - 1 }
        if trainAcc.count < logged.count { trainAcc.append(lastTrain) }
        let finalEmbeddings = Array(UnsafeBufferPointer(start: model.embeddings, count: pe))
        let system = ParallelogramSystem(task: task)
        let theory = EffectiveTheory(task: task)
        let flow = theory.timeToQuality(from: initialEmbeddings, dimension: s.embeddingDimension, quality: quality, threshold: s.rqiThreshold,
                                        horizon: 100 * Double(s.steps) * s.embeddingLearningRate)
        return GrokkingRun(trainStep: trainStep, validationStep: validationStep, rqiStep: rqiStep,
                           phase: GrokkingPhase.of(trainStep: trainStep, validationStep: validationStep, lag: s.lag),
                           stepsTaken: taken, trainCount: nTrain, splitSeed: task.seed, loggedSteps: logged, trainAccuracy: trainAcc, validationAccuracy: validAcc,
                           rqi: rqis, trainLoss: trainLoss, validationLoss: validLoss,
                           finalTrainAccuracy: lastTrain, finalValidationAccuracy: lastValid, finalRQI: lastRQI,
                           predictedAccuracy: quality.predictedTestAccuracy(finalEmbeddings, task: task), idealAccuracy: system.idealTestAccuracy,
                           nullity: system.nullity, lambda3: theory.lambda3,
                           predictedStepsToStructure: Optional(theory.stepsToStructure(learningRate: s.embeddingLearningRate)).flatMap { $0.isFinite ? $0 : nil },
                           effectiveStepsToStructure: flow.time.map { $0 / s.embeddingLearningRate }, snapshots: snapshots)
    }
}

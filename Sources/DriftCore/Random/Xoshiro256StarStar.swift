/// SplitMix64: a 64-bit mixing generator used to expand seeds into generator states.
///
/// Reference: Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014;
/// constants from Vigna's reference implementation <https://prng.di.unimi.it/splitmix64.c>.
@frozen
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    @inlinable
    public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256**: the project's one seeded generator (period 2^256 - 1, passes BigCrush).
///
/// Reference: Blackman and Vigna, "Scrambled linear pseudorandom number generators",
/// ACM TOMS 47(4), 2021; <https://prng.di.unimi.it/xoshiro256starstar.c>.
/// Independent streams come from `init(seed:stream:)`: the pair (seed, stream) is hashed through
/// SplitMix64 into the 256-bit state, so work split across threads stays deterministic.
@frozen
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// A generator for `stream` of `seed`: distinct (seed, stream) pairs give unrelated sequences.
    @inlinable
    public init(seed: UInt64, stream: UInt64 = 0) {
        // Mix the stream id first so that (seed, stream) and (seed', stream') with equal sums differ.
        var streamMixer = SplitMix64(seed: stream &+ 0x632B_E59B_D9B4_E019)
        var mixer = SplitMix64(seed: seed ^ streamMixer.next())
        s0 = mixer.next(); s1 = mixer.next(); s2 = mixer.next(); s3 = mixer.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is the one fixed point
    }

    /// A generator with an explicit 256-bit state (for checking against the reference code).
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    /// A child generator for a named sub-stream, e.g. one per simulated day or per sweep cell.
    @inlinable
    public func derived(stream: UInt64) -> Xoshiro256StarStar {
        Xoshiro256StarStar(seed: s0 ^ (s2 &* 0x9E37_79B9_7F4A_7C15), stream: stream)
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inlinable @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }
}

/// Derives a stable 64-bit stream id from a text label (FNV-1a), e.g. `streamID("customers")`.
@inlinable
public func streamID(_ label: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in label.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}

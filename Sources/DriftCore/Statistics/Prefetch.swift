/// LLVM's prefetch intrinsic (`llvm.prefetch.p0(address, rw, locality, cache type)`): Swift has no
/// prefetch of its own, and the intrinsic compiles to one `prefetchnta`/`prefetcht0` (x86) or `prfm`
/// (arm64). Underscored Swift: if a toolchain stops accepting it, `prefetchForReading` can become empty.
@_silgen_name("llvm.prefetch.p0")
@usableFromInline func _llvmPrefetch(_ address: UnsafeRawPointer, _ readWrite: Int32, _ locality: Int32, _ cacheType: Int32)

/// Asks the CPU to start loading the cache line `byteOffset` bytes past `base` for one read
/// (non-temporal: streamed data). A hint only: it never faults, so a line past the end of a buffer is
/// harmless, and the address is computed on integers (pointer arithmetic past the end would not be
/// defined). It lets a loop that is busy with one value per few cycles keep enough memory reads in
/// flight that the hardware's own prefetcher alone does not (PSI binning: +20 % from memory,
/// docs/detectors.md).
@inlinable @inline(__always)
public func prefetchForReading(_ base: UnsafeRawPointer, byteOffset: Int) {
    if let address = UnsafeRawPointer(bitPattern: Int(bitPattern: base) &+ byteOffset) { _llvmPrefetch(address, 0, 0, 1) }
}

package dev.perceiver.nn;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * libtorch's NNPACK switch, {@code at::globalContext().setUserEnabledNNPACK(bool)}, which PyTorch exposes as {@code
 * torch.backends.nnpack.set_flags} and DJL not at all: {@link Conv2d} turns NNPACK off once per process before its
 * first convolution. Where NNPACK cannot start (on CPUs whose cache sizes it cannot read, as on our build machines)
 * libtorch otherwise tries it for every small convolution and writes "Could not initialize NNPACK! Reason: Unsupported
 * hardware." to stderr; with it off, convolutions take oneDNN or libtorch's own im2col + GEMM path, the same on every
 * machine. The two C++ functions are called through JNA (which DJL already brings) by their Itanium-ABI names; where
 * they are missing (another libtorch build, Windows) nothing changes.
 */
final class Nnpack {
    private static final String CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private static final String GET = "_ZNK2at7Context17userEnabledNNPACKEv";
    /** dlopen's RTLD_LAZY: the library is already loaded by DJL; do not make its symbols global. */
    private static final int RTLD_LAZY = 1;

    private static volatile boolean attempted;

    private Nnpack() {}

    /** Turns NNPACK off, once; later calls return at once. Call only once libtorch is loaded. */
    static void disable() {
        if (attempted) {
            return;
        }
        synchronized (Nnpack.class) {
            if (attempted) {
                return;
            }
            attempted = true;
            try {
                NativeLibrary lib = libtorchCpu();
                if (lib != null) {
                    lib.getFunction(SET).invokeVoid(new Object[] {context(lib), Boolean.FALSE});
                }
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                // another build of libtorch: NNPACK stays as libtorch set it (at worst the warning is printed)
            }
        }
    }

    /** Whether libtorch may use NNPACK, or null where the switch cannot be reached. */
    static Boolean enabled() {
        try {
            NativeLibrary lib = libtorchCpu();
            if (lib == null) {
                return null;
            }
            Function get = lib.getFunction(GET);
            // a C++ bool comes back in the low byte of the return register
            return (get.invokeInt(new Object[] {context(lib)}) & 0xff) != 0;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }

    private static Pointer context(NativeLibrary lib) {
        return lib.getFunction(CONTEXT).invokePointer(new Object[0]);
    }

    private static NativeLibrary libtorchCpu() {
        Path dir = EngineSetup.libtorchDir();
        if (dir == null) {
            return null;
        }
        Path file = dir.resolve(System.mapLibraryName("torch_cpu"));
        if (!Files.isRegularFile(file)) {
            return null;
        }
        return NativeLibrary.getInstance(file.toString(), Map.of(Library.OPTION_OPEN_FLAGS, RTLD_LAZY));
    }
}

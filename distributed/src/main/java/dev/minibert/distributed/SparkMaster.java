package dev.minibert.distributed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a {@code spark://host:port[,host:port...]} master answers before Spark is started: Spark itself would retry
 * registering for a minute and then fail the first job with a message that does not name the address.
 */
public final class SparkMaster {
    private static final int CONNECT_TIMEOUT_MS = 5000;

    private SparkMaster() {
    }

    public static void requireReachable(String master) {
        if (!master.startsWith("spark://")) {
            return; // local[...] needs no network; yarn and k8s are found by their own configuration
        }
        List<String> failures = new ArrayList<>();
        for (String address : master.substring("spark://".length()).split(",")) {
            int colon = address.lastIndexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("--spark " + master + ": expected spark://host:port, got " + address);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address.substring(0, colon),
                        Integer.parseInt(address.substring(colon + 1))), CONNECT_TIMEOUT_MS);
                return;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--spark " + master + ": port of " + address + " is not a number");
            } catch (IOException | IllegalArgumentException e) {
                failures.add(address + " (" + e.getMessage() + ")");
            }
        }
        throw new IllegalArgumentException("--spark " + master + ": no Spark master answers at "
                + String.join(", ", failures));
    }
}

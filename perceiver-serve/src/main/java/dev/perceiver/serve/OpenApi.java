package dev.perceiver.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.json.ResultJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3.0 document of the server ({@code GET /openapi.json}): the resource {@code openapi.json} beside this
 * class, with the server's limits filled into the descriptions of the fields they bound.
 */
final class OpenApi {
    private OpenApi() {}

    static byte[] document(ServeOptions options) {
        try (InputStream in = OpenApi.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the jar");
            }
            ObjectNode doc = (ObjectNode) ResultJson.MAPPER.readTree(in);
            ObjectNode limits = ((ObjectNode) doc.get("info")).putObject("x-limits");
            limits.put("max_body_bytes", options.maxBodyBytes());
            limits.put("max_text_chars", options.maxTextChars());
            limits.put("max_image_pixels", options.maxImagePixels());
            limits.put("max_new_tokens", options.maxNewTokens());
            limits.put("max_queue", options.maxQueue());
            limits.put("timeout_ms", options.timeoutMs());
            limits.put("max_batch_size", options.maxBatchSize());
            limits.put("max_wait_ms", options.maxWaitMs());
            return ResultJson.MAPPER.writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.perceiver.serve;

import dev.perceiver.inference.json.ResultJson;

/** JSON text of a string, as the playground's JSON.stringify shows a token. */
final class JsonStrings {
    private JsonStrings() {}

    static String quote(String s) throws Exception {
        return ResultJson.MAPPER.writeValueAsString(s);
    }
}

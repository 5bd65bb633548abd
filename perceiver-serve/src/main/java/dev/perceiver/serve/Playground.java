package dev.perceiver.serve;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** The web playground's static files, served from this module's resources (no external scripts or styles). */
final class Playground {
    private static final String ROOT = "/dev/perceiver/serve/playground/";
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html;charset=utf-8",
            "app.js", "text/javascript;charset=utf-8",
            "style.css", "text/css;charset=utf-8");

    /** Answers with one of the files, or a JSON 404 for any other name. */
    void serve(Context ctx, String file) throws IOException {
        String type = TYPES.get(file);
        if (type == null) {
            PerceiverServer.error(ctx, 404, "file", "no playground file '" + file + "'");
            return;
        }
        try (InputStream in = Playground.class.getResourceAsStream(ROOT + file)) {
            if (in == null) {
                throw new IOException("playground resource " + ROOT + file + " is missing from the jar");
            }
            ctx.contentType(type);
            ctx.result(in.readAllBytes());
        }
    }
}

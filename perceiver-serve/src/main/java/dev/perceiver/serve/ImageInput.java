package dev.perceiver.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Images in requests: base64 text (optionally a {@code data:image/...;base64,} URL) or uploaded bytes, decoded with
 * ImageIO after the size in the header is checked against {@code max_image_pixels} (so a small file that claims a
 * huge image is refused before it is decoded).
 */
final class ImageInput {
    private ImageInput() {}

    /** The bytes of a base64 field. */
    static byte[] base64(JsonNode node, String field) {
        if (node == null || !node.isTextual()) {
            throw ApiException.invalid(
                    field,
                    field + " must be a base64 string, got "
                            + (node == null ? "nothing" : InferenceRequest.type(node)));
        }
        String s = node.asText();
        int comma = s.startsWith("data:") ? s.indexOf(',') : -1;
        try {
            return Base64.getMimeDecoder().decode(comma >= 0 ? s.substring(comma + 1) : s);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, field + " is not valid base64: " + e.getMessage());
        }
    }

    /**
     * Decodes an image.
     *
     * @throws ApiException 400 when the bytes are no PNG, JPEG, BMP or GIF image, 413 when it has more pixels than
     *     allowed
     */
    static BufferedImage decode(byte[] bytes, String field, long maxPixels) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw ApiException.badRequest(
                        field, field + " is not an image (" + bytes.length + " bytes; PNG, JPEG, BMP or GIF expected)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw ApiException.tooLarge(
                            field,
                            field + " has " + reader.getWidth(0) + "x" + reader.getHeight(0) + " = " + pixels
                                    + " pixels; at most " + maxPixels + " (max_image_pixels)");
                }
                BufferedImage image = reader.read(0);
                if (image == null) {
                    throw ApiException.badRequest(field, field + " could not be decoded");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw ApiException.badRequest(field, field + " is a corrupt image: " + e.getMessage());
        }
    }
}

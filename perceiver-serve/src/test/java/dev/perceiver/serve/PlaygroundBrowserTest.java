package dev.perceiver.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The playground in a real browser: Debian's headless Chromium driven by its chromedriver (both from apt, never
 * downloaded). Runs every task of the page on tiny models and checks what the page shows against the API's answer.
 * Skipped where Chromium is not installed, unless {@code PERCEIVER_REQUIRE_BROWSER=1} (set by CI), where it fails.
 */
class PlaygroundBrowserTest {
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final File CHROMIUM = new File("/usr/bin/chromium");

    @TempDir
    static Path root;

    private static PerceiverServer server;
    private static Http http;
    private static WebDriver driver;
    private static ChromeDriverService service;

    @BeforeAll
    static void start() throws Exception {
        boolean installed = CHROMEDRIVER.canExecute() && CHROMIUM.canExecute();
        if (!"1".equals(System.getenv("PERCEIVER_REQUIRE_BROWSER"))) {
            Assumptions.assumeTrue(installed, "chromium and chromium-driver are not installed");
        }
        assertThat(installed)
                .as("/usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium " + "chromium-driver)")
                .isTrue();
        server = PerceiverServer.start(
                ServeTestModels.save(root), ServeOptions.defaults().withPort(0));
        http = new Http(server.port());
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1000,1900",
                "--user-data-dir=" + Files.createDirectories(root.resolve("chromium-profile")));
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A generous deadline: each wait ends as soon as its condition holds, and a loaded CI machine can be slow. */
    private static WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(120));
    }

    private static String text(String id) {
        return (String) ((JavascriptExecutor) driver)
                .executeScript("return document.getElementById(arguments[0]).textContent", id);
    }

    private static void type(String id, String value) {
        WebElement e = driver.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    private static List<String> labels(String resultId) {
        return driver.findElements(By.cssSelector("#" + resultId + " .bar-row .label")).stream()
                .map(e -> (String) ((JavascriptExecutor) driver).executeScript("return arguments[0].textContent", e))
                .toList();
    }

    @Test
    void everyTaskRunsInTheBrowserAndShowsTheApisResult() throws Exception {
        driver.get("http://127.0.0.1:" + server.port() + "/");
        waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
        assertThat(driver.findElements(By.cssSelector("#models li"))).hasSize(4);

        // fill-mask: one block of candidate bars per mask, the best candidate first
        String masked = "The Perceiver[MASK][MASK][MASK]";
        type("fm-text", masked);
        type("fm-topk", "3");
        driver.findElement(By.id("fm-run")).click();
        waiting().until(d -> d.findElements(By.cssSelector("#fm-result .mask")).size() == 3);
        JsonNode fill = http.post("/v1/models/mlm", "{\"inputs\": \"" + masked + "\", \"parameters\": {\"top_k\": 3}}")
                .json();
        assertThat(labels("fm-result")).hasSize(9);
        assertThat(labels("fm-result").get(0))
                .isEqualTo(JsonStrings.quote(fill.get("masks")
                        .get(0)
                        .get("candidates")
                        .get(0)
                        .get("token")
                        .asText()));
        assertThat(text("fm-result")).startsWith(fill.get("filled_texts").get(0).asText());

        // classify text: a bar per label, most probable first
        type("ct-text", "A fine film.");
        driver.findElement(By.id("ct-run")).click();
        waiting()
                .until(d ->
                        d.findElements(By.cssSelector("#ct-result .bar-row")).size() == 3);
        JsonNode cls =
                http.post("/v1/models/clf", "{\"inputs\": \"A fine film.\"}").json();
        assertThat(labels("ct-result"))
                .containsExactly(cls.get("labels").findValuesAsText("label").toArray(new String[0]));

        // classify an uploaded image
        byte[] png = PerceiverServerTest.png(8);
        Path file = root.resolve("digit.png");
        Files.write(file, png);
        driver.findElement(By.id("ci-file")).sendKeys(file.toAbsolutePath().toString());
        driver.findElement(By.id("ci-run")).click();
        waiting()
                .until(d ->
                        d.findElements(By.cssSelector("#ci-result .bar-row")).size() == 4);
        JsonNode img = http.post(
                        "/v1/models/img",
                        "{\"inputs\": \"" + Base64.getEncoder().encodeToString(png)
                                + "\", \"parameters\": {\"top_k\": 5}}")
                .json();
        assertThat(labels("ci-result"))
                .containsExactly(img.get("labels").findValuesAsText("label").toArray(new String[0]));

        // generate: greedy, streamed token by token
        type("gen-prompt", "We the People");
        type("gen-max", "16");
        driver.findElement(By.id("gen-run")).click();
        waiting().until(d -> text("gen-status").startsWith("done"));
        JsonNode greedy = http.post(
                        "/v1/models/clm", "{\"inputs\": \"We the People\", \"parameters\": {\"max_new_tokens\": 16}}")
                .json();
        assertThat(text("gen-text")).isEqualTo(greedy.get("generated_text").asText());
        assertThat(text("gen-status")).contains("16 tokens, greedy", "(16 streamed)");

        // generate with the sampling controls
        driver.findElement(By.id("gen-sample")).click();
        type("gen-topp", "0.9");
        type("gen-seed", "42");
        driver.findElement(By.id("gen-run")).click();
        waiting().until(d -> text("gen-status").contains("sample"));
        JsonNode sampled = http.post(
                        "/v1/models/clm",
                        "{\"inputs\": \"We the People\", \"parameters\": {\"max_new_tokens\": 16, \"temperature\": 1.0,"
                                + " \"top_k\": 0, \"top_p\": 0.9, \"seed\": 42}}")
                .json();
        assertThat(text("gen-text")).isEqualTo(sampled.get("generated_text").asText());
        assertThat(text("error")).isEmpty();

        Path shot = Path.of("target", "playground.png");
        Files.createDirectories(shot.getParent());
        Files.copy(
                ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE).toPath(),
                shot,
                StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(shot)).isPositive();
        assertThat(Map.of("health", http.get("/health").status())).containsEntry("health", 200);
    }
}

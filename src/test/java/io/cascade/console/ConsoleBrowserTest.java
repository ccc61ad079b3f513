package io.cascade.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.cascade.support.TestApi;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's headless Chromium driven through its chromedriver. A
 * tenant signs in, watches its live counters move, opens the cascade of a message that failed over
 * from SMS to WhatsApp, cannot open another tenant's message by editing the URL, and signs out.
 * Screenshots of each view go to {@code target/console-screenshots} (copied to docs/console/).
 */
@QuarkusTest
class ConsoleBrowserTest {

  private static final Path SCREENSHOTS = Path.of("target/console-screenshots");

  private WebDriver browser;
  private WebDriverWait wait;

  @TestHTTPResource("/console/")
  URL console;

  @BeforeAll
  static void screenshots() throws IOException {
    Files.createDirectories(SCREENSHOTS);
  }

  private void open() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    // Headless and quiet: this machine has no display and refuses connections to the internet.
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000");
    // The machine's own chromedriver: Selenium Manager would try to download one. Quitting the
    // browser stops it.
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(15));
  }

  @AfterEach
  void close() {
    TestApi.resetProviders();
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void aTenantWatchesItsMessagesFailOverAndSeesNobodyElses() throws IOException {
    TestApi.resetProviders();
    TestApi.Tenant tenant = TestApi.newTenant();
    TestApi.Tenant other = TestApi.newTenant();
    open();

    browser.get(console.toString());
    visible("sign-in-form");
    screenshot("sign-in");
    signIn(tenant.key());
    visible("overview");
    wait.until(ExpectedConditions.textToBe(By.id("live-state"), "live"));
    wait.until(ExpectedConditions.textToBe(By.id("n-accepted"), "0"));

    // Live counters move while messages are sent through the API.
    for (int i = 0; i < 3; i++) {
      TestApi.send(tenant.key(), TestApi.message(List.of(TestApi.sms())));
    }
    wait.until(ExpectedConditions.textToBe(By.id("n-accepted"), "3"));
    wait.until(ExpectedConditions.textToBe(By.id("n-delivered"), "3"));

    // SMS fails, the cascade moves on to WhatsApp.
    TestApi.simulator("sms", "reject", 0);
    String failedOver =
        TestApi.send(tenant.key(), TestApi.message(List.of(TestApi.sms(), TestApi.whatsapp())));
    TestApi.awaitStatus(tenant.key(), failedOver, "delivered");
    wait.until(ExpectedConditions.textToBe(By.id("n-delivered"), "4"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("failovers"), "rejected"));
    screenshot("tenant-overview");

    // Found by search, opened from the result list.
    browser.findElement(By.linkText("Messages")).click();
    WebElement searchForm = visible("search-form");
    searchForm.findElement(By.name("id")).sendKeys(failedOver);
    searchForm.findElement(By.cssSelector("button[type=submit]")).click();
    wait.until(ExpectedConditions.elementToBeClickable(By.linkText(failedOver))).click();
    visible("timeline");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("timeline-summary"), "whatsapp"));
    String timeline = browser.findElement(By.id("timeline-entries")).getText();
    assertThat(timeline)
        .contains("attempt-ended: rejected (step 1 · sms")
        .contains("moved on: rejected")
        .contains("attempt-ended: delivered (step 2 · whatsapp");
    assertThat(browser.findElement(By.id("timeline-summary")).getText())
        .contains("Delivered via\nwhatsapp");
    screenshot("timeline");

    // Analytics of the last hour: SMS delivered 3 of 4, WhatsApp the one it took over.
    browser.findElement(By.linkText("Analytics")).click();
    visible("analytics");
    browser.findElement(By.cssSelector("#window-form input[value='1h']")).click();
    By smsRow = By.xpath("//table[@id='analytics-providers']//tr[td[1]='sms']");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(smsRow, "75.0 %"));
    assertThat(browser.findElement(smsRow).getText()).startsWith("sms simulator 4 3 1");
    assertThat(
            browser
                .findElement(By.xpath("//table[@id='analytics-providers']//tr[td[1]='whatsapp']"))
                .getText())
        .contains("100.0 %");
    screenshot("analytics");

    // Another tenant edits the URL to the first tenant's message: not found, nothing shown.
    Cookie firstSession = browser.manage().getCookieNamed(ConsoleGuard.COOKIE);
    assertThat(firstSession.isHttpOnly()).isTrue();
    signOut();
    signIn(other.key());
    visible("overview");
    browser.get(console + "#/messages/" + failedOver);
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("timeline-error"), "No message " + failedOver));
    assertThat(browser.findElement(By.id("timeline-entries")).getText()).isEmpty();
    assertThat(browser.findElement(By.id("n-accepted")).getDomProperty("textContent"))
        .isEqualTo("0");
    browser.get(console + "#/analytics");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("analytics-note"), "Attempts"));
    assertThat(browser.findElements(By.cssSelector("#analytics-providers tbody tr"))).isEmpty();

    // Signed out, the old cookie opens nothing any more.
    signOut();
    io.restassured.RestAssured.given()
        .cookie(ConsoleGuard.COOKIE, firstSession.getValue())
        .get("/console/api/tenant/figures")
        .then()
        .statusCode(401);
    assertThat(
            browser.manage().getCookies().stream()
                .filter(c -> c.getName().equals(ConsoleGuard.COOKIE))
                .toList())
        .isEmpty();
  }

  @Test
  void anOperatorSeesAProvidersCircuitOpenWhenItFails() throws IOException {
    TestApi.resetProviders();
    TestApi.Tenant tenant = TestApi.newTenant();
    open();
    browser.get(console.toString());
    signIn("operator", "test-admin-token");
    visible("operator");
    By smsRow = By.cssSelector("#op-providers tr[data-provider='sms/simulator']");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(smsRow, "closed"));
    assertThat(browser.findElement(By.cssSelector("a[href='#/messages']")).isDisplayed()).isFalse();

    // The operator switches the SMS simulator to failing; after the breaker's request volume the
    // circuit opens, and the view says so.
    WebElement switches =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#op-simulators tr[data-simulator='sms']")));
    new org.openqa.selenium.support.ui.Select(switches.findElement(By.name("mode")))
        .selectByValue("fail");
    switches.findElement(By.tagName("button")).click();
    wait.until(ExpectedConditions.textToBe(By.id("op-simulators-result"), "sms now answers fail"));
    for (int i = 0; i < 6; i++) {
      TestApi.send(tenant.key(), TestApi.message(List.of(TestApi.sms(), TestApi.email())));
    }
    wait.until(ExpectedConditions.textToBePresentInElementLocated(smsRow, "open"));
    assertThat(browser.findElement(smsRow).getDomProperty("className")).isEqualTo("alarm");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("op-tenants"), tenant.name()));
    assertThat(browser.findElement(By.id("op-broker")).getText()).startsWith("publisher connected");
    screenshot("operator");
    signOut();
  }

  private void signIn(String apiKey) {
    signIn("tenant", apiKey);
  }

  private void signIn(String role, String secretText) {
    WebElement form = visible("sign-in-form");
    form.findElement(By.cssSelector("input[value=" + role + "]")).click();
    WebElement secret = form.findElement(By.id("secret"));
    secret.clear();
    secret.sendKeys(secretText);
    form.findElement(By.cssSelector("button[type=submit]")).click();
  }

  private void signOut() {
    browser.findElement(By.id("sign-out")).click();
    visible("sign-in-form");
  }

  private WebElement visible(String id) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
  }

  private void screenshot(String name) throws IOException {
    // The top of the page: a click further down (an operator's switch) scrolls it away.
    ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
    Path shot =
        ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }
}

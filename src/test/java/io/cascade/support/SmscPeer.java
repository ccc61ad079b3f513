package io.cascade.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jsmpp.PDUStringException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GSMSpecificFeature;
import org.jsmpp.bean.MessageMode;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.QueryBroadcastSm;
import org.jsmpp.bean.QuerySm;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.ReplaceSm;
import org.jsmpp.bean.SubmitMulti;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.util.MessageId;

/**
 * A scripted SMSC on loopback, built on jSMPP's server API: it accepts transceiver binds, answers
 * {@code submit_sm} with hexadecimal message ids and sends a delivery receipt for each, naming the
 * message by the decimal form of its id (as many real SMSCs do). What it does is decided by the
 * destination number:
 *
 * <ul>
 *   <li>{@code +49170...}: negative receipt {@code UNDELIV} with {@code err:034};
 *   <li>{@code +49171...}: {@code ESME_RTHROTTLED} for the first two submits, then accepted;
 *   <li>{@code +49172...}: the receipt is sent before the {@code submit_sm_resp} (this blocks one
 *       of the SMSC's eight PDU threads until the receipt is answered: for single messages only);
 *   <li>{@code +49173...}: submit refused with {@code ESME_RINVDSTADR} (bad destination);
 *   <li>{@code +49175...}: receipt carries the id only in the {@code receipted_message_id} TLV;
 *   <li>{@code +49176...}: accepted, but no receipt is ever sent;
 *   <li>anything else: {@code DELIVRD}.
 * </ul>
 *
 * Tests can stop and restart it (an SMSC outage), refuse binds, fail every submit transiently, hold
 * receipts to release them all at once as a burst, deliver refused receipts again, and make it
 * reuse a message id it issued before (as an SMSC whose counter restarted). A receipt goes out on
 * the session its submit came on, or on the newest bound one once that session is gone (as SMSCs
 * keep receipts for an account while it is not bound).
 */
public final class SmscPeer implements ServerMessageReceiverListener {

  /** One submit_sm as received. */
  public record Submit(
      String to,
      byte[] payload,
      byte dataCoding,
      byte esmClass,
      byte registeredDelivery,
      String id,
      long receivedNanos) {
    public boolean hasUdh() {
      return (esmClass & 0x40) != 0;
    }
  }

  private record HeldReceipt(SMPPServerSession session, Submit submit, String stat) {}

  public final String name;
  public final int port;
  public final List<Submit> submits = new CopyOnWriteArrayList<>();
  public final AtomicInteger binds = new AtomicInteger();
  public final AtomicInteger refusedBinds = new AtomicInteger();
  public final AtomicInteger receiptsSent = new AtomicInteger();
  public final AtomicInteger receiptsRefused = new AtomicInteger();
  public volatile boolean refuseBinds;
  public volatile boolean failSubmits;
  public volatile boolean holdReceipts;

  private final AtomicLong nextId = new AtomicLong(0x4A0000);
  private final AtomicReference<String> reusedId = new AtomicReference<>();
  private final AtomicInteger throttled = new AtomicInteger();
  private final List<SMPPServerSession> sessions = new CopyOnWriteArrayList<>();
  private final List<HeldReceipt> held = new CopyOnWriteArrayList<>();
  private final List<HeldReceipt> refused = new CopyOnWriteArrayList<>();
  private final ExecutorService receiptSender = Executors.newFixedThreadPool(8, daemon("receipts"));
  private volatile SMPPServerSessionListener listener;

  public SmscPeer(String name) {
    this.name = name;
    this.port = freePort();
  }

  /** Listens for binds (again, on the same port, after {@link #stop}). */
  public synchronized void start() {
    if (listener != null) {
      return;
    }
    try {
      listener = new SMPPServerSessionListener(port);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    listener.setPduProcessorDegree(8);
    listener.setQueueCapacity(10_000);
    listener.setMessageReceiverListener(this);
    SMPPServerSessionListener current = listener;
    Thread acceptor = new Thread(() -> acceptLoop(current), "smsc-" + name);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Stops listening and drops every session at once, like an SMSC that crashed. */
  public synchronized void stop() {
    if (listener == null) {
      return;
    }
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    listener = null;
    sessions.forEach(SMPPServerSession::close);
    sessions.clear();
  }

  public boolean hasBoundSession() {
    return sessions.stream().anyMatch(session -> session.getSessionState().isBound());
  }

  /**
   * The next submit is answered with {@code id} (one issued before); the ones after it as usual.
   */
  public void reuseOnce(String id) {
    reusedId.set(id);
  }

  /** Back to the default script, listening. */
  public void reset() {
    refuseBinds = false;
    failSubmits = false;
    holdReceipts = false;
    throttled.set(0);
    reusedId.set(null);
    start();
  }

  /** Sends every held receipt at once, from several threads; returns when all were answered. */
  public void releaseReceipts() {
    List<HeldReceipt> burst = new ArrayList<>(held);
    held.clear();
    CompletableFuture.allOf(
            burst.stream()
                .map(r -> CompletableFuture.runAsync(() -> sendReceipt(r), receiptSender))
                .toArray(CompletableFuture[]::new))
        .join();
  }

  public List<Submit> submitsTo(String to) {
    String number = to.startsWith("+") ? to.substring(1) : to;
    return submits.stream().filter(submit -> submit.to().equals(number)).toList();
  }

  private void acceptLoop(SMPPServerSessionListener current) {
    while (true) {
      SMPPServerSession session;
      try {
        session = current.accept();
      } catch (IOException closed) {
        return;
      }
      try {
        BindRequest bind = session.waitForBind(5_000);
        if (refuseBinds) {
          refusedBinds.incrementAndGet();
          bind.reject(SMPPConstant.STAT_ESME_RBINDFAIL);
          session.close();
          continue;
        }
        bind.accept(bind.getSystemId());
        sessions.add(session);
        binds.incrementAndGet();
      } catch (Exception e) {
        session.close();
      }
    }
  }

  @Override
  public SubmitSmResult onAcceptSubmitSm(SubmitSm submitSm, SMPPServerSession session)
      throws ProcessRequestException {
    String to = submitSm.getDestAddress();
    if (failSubmits) {
      throw new ProcessRequestException("scripted failure", SMPPConstant.STAT_ESME_RSYSERR);
    }
    if (to.startsWith("49173")) {
      throw new ProcessRequestException("bad destination", SMPPConstant.STAT_ESME_RINVDSTADR);
    }
    if (to.startsWith("49171") && throttled.getAndIncrement() < 2) {
      throw new ProcessRequestException("slow down", SMPPConstant.STAT_ESME_RTHROTTLED);
    }
    String reused = reusedId.getAndSet(null);
    String id = reused != null ? reused : Long.toHexString(nextId.incrementAndGet()).toUpperCase();
    Submit submit =
        new Submit(
            to,
            submitSm.getShortMessage(),
            submitSm.getDataCoding(),
            submitSm.getEsmClass(),
            submitSm.getRegisteredDelivery(),
            id,
            System.nanoTime());
    submits.add(submit);
    String stat = to.startsWith("49170") ? "UNDELIV" : "DELIVRD";
    HeldReceipt receipt = new HeldReceipt(session, submit, stat);
    if (to.startsWith("49176")) {
      // no receipt ever: the network lost track of it
    } else if (holdReceipts) {
      held.add(receipt);
    } else if (to.startsWith("49172")) {
      sendReceipt(receipt); // before this method returns, i.e. before the submit_sm_resp
    } else {
      receiptSender.execute(() -> sendReceipt(receipt));
    }
    try {
      return new SubmitSmResult(new MessageId(id), new OptionalParameter[0]);
    } catch (PDUStringException e) {
      throw new IllegalStateException(e);
    }
  }

  private void sendReceipt(HeldReceipt receipt) {
    Submit submit = receipt.submit();
    String decimalId = String.valueOf(Long.parseLong(submit.id(), 16));
    boolean tlvOnly = submit.to().startsWith("49175");
    String err = "UNDELIV".equals(receipt.stat()) ? "034" : "000";
    String text =
        (tlvOnly ? "" : "id:" + decimalId + " ")
            + "sub:001 dlvrd:001 submit date:2611270000 done date:2611270000 stat:"
            + receipt.stat()
            + " err:"
            + err
            + " text:";
    OptionalParameter[] tlvs =
        tlvOnly
            ? new OptionalParameter[] {new OptionalParameter.Receipted_message_id(submit.id())}
            : new OptionalParameter[0];
    try {
      liveSession(receipt.session())
          .deliverShortMessage(
              "",
              TypeOfNumber.INTERNATIONAL,
              NumberingPlanIndicator.ISDN,
              submit.to(),
              TypeOfNumber.ALPHANUMERIC,
              NumberingPlanIndicator.UNKNOWN,
              "Cascade",
              new ESMClass(
                  MessageMode.DEFAULT, MessageType.SMSC_DEL_RECEIPT, GSMSpecificFeature.DEFAULT),
              (byte) 0,
              (byte) 0,
              new RegisteredDelivery(0),
              DataCodings.ZERO,
              text.getBytes(StandardCharsets.ISO_8859_1),
              tlvs);
      receiptsSent.incrementAndGet();
    } catch (Exception e) {
      // Answered with an error or not in time: a real SMSC keeps it and tries again later.
      receiptsRefused.incrementAndGet();
      refused.add(receipt);
    }
  }

  private SMPPServerSession liveSession(SMPPServerSession submittedOn) {
    if (submittedOn.getSessionState().isBound()) {
      return submittedOn;
    }
    for (int i = sessions.size() - 1; i >= 0; i--) {
      if (sessions.get(i).getSessionState().isBound()) {
        return sessions.get(i);
      }
    }
    return submittedOn; // nothing bound: the send fails and the receipt is kept as refused
  }

  /** Delivers again every receipt the ESME refused or did not answer, as an SMSC retries. */
  public void redeliverRefused() {
    List<HeldReceipt> again = new ArrayList<>(refused);
    refused.clear();
    again.forEach(this::sendReceipt);
  }

  @Override
  public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti submitMulti, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public QuerySmResult onAcceptQuerySm(QuerySm querySm, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public void onAcceptReplaceSm(ReplaceSm replaceSm, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public void onAcceptCancelSm(CancelSm cancelSm, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm broadcastSm, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public void onAcceptCancelBroadcastSm(
      CancelBroadcastSm cancelBroadcastSm, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public QueryBroadcastSmResult onAcceptQueryBroadcastSm(
      QueryBroadcastSm queryBroadcastSm, SMPPServerSession session) throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
    throw unsupported();
  }

  private static ProcessRequestException unsupported() {
    return new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Waits for the pool to drain; for the bench's shutdown. */
  public void close() throws InterruptedException {
    stop();
    receiptSender.shutdown();
    receiptSender.awaitTermination(5, TimeUnit.SECONDS);
  }
}

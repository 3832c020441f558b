// A sound and a browser notification when a conversation starts needing a person.
//
// Browsers allow a notification permission prompt only after a click, so the inbox shows a
// "Turn on alerts" button once; the answer is remembered by the browser (and the button is not
// shown again on this device). The sound plays through Web Audio, unlocked by that same click.
const ASKED = "wacrm.notifications.asked";

export class NeedsStaffAlarm {
  constructor() {
    this.known = null; // conversation ids needing staff at the last snapshot (null: none seen yet)
    this.audio = null;
  }

  canAsk() {
    return "Notification" in window && Notification.permission === "default" && !localStorage.getItem(ASKED);
  }

  async ask() {
    localStorage.setItem(ASKED, "1");
    this.unlock();
    if ("Notification" in window && Notification.permission === "default") await Notification.requestPermission();
  }

  unlock() {
    try {
      this.audio ??= new AudioContext();
      if (this.audio.state === "suspended") this.audio.resume();
    } catch {
      this.audio = null; // no audio output: the notification still shows
    }
  }

  /** Feed every snapshot of the conversation list; rings for each newly waiting conversation. */
  update(conversations, nameOf) {
    const waiting = new Set(conversations.filter((c) => c.handoff).map((c) => c.id));
    if (this.known !== null) {
      for (const c of conversations) if (waiting.has(c.id) && !this.known.has(c.id)) this.ring(c, nameOf(c));
    }
    this.known = waiting;
  }

  ring(conversation, name) {
    this.beep();
    if ("Notification" in window && Notification.permission === "granted") {
      const body = conversation.last_message_preview || "A customer is waiting for a person.";
      const n = new Notification(`${name} needs a person`, { body, tag: `needs-staff-${conversation.id}` });
      n.onclick = () => {
        window.focus();
        location.hash = "inbox";
      };
    }
  }

  beep() {
    if (!this.audio) return;
    const osc = this.audio.createOscillator();
    const gain = this.audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, this.audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, this.audio.currentTime + 0.4);
    osc.connect(gain).connect(this.audio.destination);
    osc.start();
    osc.stop(this.audio.currentTime + 0.4);
  }
}

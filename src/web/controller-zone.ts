/**
 * Keeps the web's clock times in the controller's time zone (issue 12 §8): follows the state document's
 * `clock.timeZone` from the live state. Imported once for its effect (by the dashboard page).
 */
import { live } from "./context.ts";
import { setDisplayTimeZone } from "./format.ts";

live.subscribe((snap) => setDisplayTimeZone(snap.state?.clock?.timeZone));

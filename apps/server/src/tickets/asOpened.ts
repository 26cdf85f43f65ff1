/**
 * A ticket's terminal model and app version as they were when it was opened (kept with the ticket);
 * tickets from before they were kept fall back to the terminal as it is now. SQL over a ticket alias
 * and a terminal alias, for reports and similar cases.
 */
export const asOpened = (ticket: string, terminal: string) => ({
  model: `coalesce(${ticket}.terminal_model, ${terminal}.model)`,
  appVersion: `coalesce(${ticket}.terminal_app_version, ${terminal}.app_version)`,
});

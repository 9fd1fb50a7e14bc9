/** Where readers send warnings (a file loaded but something in it looked wrong) unless told otherwise. */
export type WarningSink = (message: string) => void;

export const defaultWarning: WarningSink = (message) => {
  process.stderr.write(`warning: ${message}\n`);
};

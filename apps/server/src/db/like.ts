/** A LIKE pattern that matches `text` literally anywhere: the user's % and _ are not wildcards. */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

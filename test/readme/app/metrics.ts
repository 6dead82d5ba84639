/** The reader's metrics client, as README snippets import it. */
export const metrics = {
  increment: (name: string, attributes: Record<string, unknown> = {}): void => {
    void name;
    void attributes;
  },
};

// The reader's own application code that README snippets import (`./users.service.js`, ...): the
// snippets compile as files of this folder.
import { Injectable } from '@nestjs/common';

export interface User {
  readonly id: string;
  readonly suspended: boolean;
}

@Injectable()
export class UsersService {
  findBySubject(subject: string | undefined): Promise<User | null> {
    return Promise.resolve(subject === undefined ? null : { id: subject, suspended: false });
  }
}
